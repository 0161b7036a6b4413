"""The raw archive and its history: WARC files of every response (warcio), content
normalisation and diffs between article versions, the revisit policy of incremental
crawls, and re-extraction from WARC. No Scrapy imports outside `reextract`."""
