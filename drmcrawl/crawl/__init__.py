"""Everything Scrapy: the runner, settings, the crawl session, the plan and revisit policy,
extraction workers, items, pipelines, middlewares/ and spiders/."""
