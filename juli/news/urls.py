"""Pages of news, mounted at the site's root by `juli.core.urlmount`."""

from django.urls import path

from . import views as v
from .feeds import org_news_feed

urlpatterns = [
    path("news/", v.news_list, name="news-list"),
    path("news/new/", v.news_new, name="news-new"),
    path("news/<int:pk>/", v.news_item, name="news-item"),
    path("news/<int:pk>/edit/", v.news_edit, name="news-edit"),
    path("news/<int:pk>/submit/", v.news_submit, name="news-submit"),
    path("news/<int:pk>/approve/", v.news_approve, name="news-approve"),
    path("news/<int:pk>/return/", v.news_return, name="news-return"),
    path("news/<int:pk>/withdraw/", v.news_withdraw, name="news-withdraw"),
    path("news/org/<int:pk>/", v.org_news, name="news-org"),
    path("news/org/<int:pk>/atom.xml", org_news_feed, name="news-org-atom"),
    path("news/org/<int:pk>/settings/", v.org_news_settings, name="news-org-settings"),
]
