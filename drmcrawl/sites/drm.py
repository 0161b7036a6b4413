"""Digital Rights Monitor: WordPress with the JNews theme and Yoast SEO."""

from __future__ import annotations

from drmcrawl.sites import Site, jnews, register, wordpress

DRM = register(Site(
    name="drm",
    base_url="https://digitalrightsmonitor.pk",
    hosts=("digitalrightsmonitor.pk", "www.digitalrightsmonitor.pk"),
    profile="drm",
    timezone="Asia/Karachi",
    sitemap_indexes=wordpress.SITEMAP_INDEXES,
    sitemap_role=wordpress.sitemap_role,
    feeds=(wordpress.FEED_PATH,),
    feed_links=wordpress.feed_links,
    is_article_url=wordpress.is_post_url,
    menu_links=jnews.menu_category_links,
    listing_links=jnews.listing_page_links,
))
