"""On PostgreSQL the audit log refuses UPDATE and DELETE at the database itself, so that not
even a raw query or a bug in a migration can rewrite history."""

from django.db import migrations


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION juli_audit_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END;
        $$ LANGUAGE plpgsql;
        DROP TRIGGER IF EXISTS juli_audit_append_only ON core_auditlog;
        CREATE TRIGGER juli_audit_append_only BEFORE UPDATE OR DELETE ON core_auditlog
            FOR EACH ROW EXECUTE FUNCTION juli_audit_append_only();
        """
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS juli_audit_append_only ON core_auditlog;"
        "DROP FUNCTION IF EXISTS juli_audit_append_only();"
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_actor")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
