"""Scrapy middlewares: retries, redirects, scope, site credentials, and the WARC recorder."""
