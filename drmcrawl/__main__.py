from drmcrawl.cli import main

main()
