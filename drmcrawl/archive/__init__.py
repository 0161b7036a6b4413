"""The raw archive and its history: WARC files of every response (warcio), content
normalisation and diffs between article versions, the revisit policy and plan of
incremental crawls, and re-extraction from WARC.

Scrapy is imported only by `middleware` (the thin downloader middleware that feeds
`recorder`) and `reextract` (Scrapy's response classes decode archived bodies exactly as a
crawl does); everything else here is plain Python."""
