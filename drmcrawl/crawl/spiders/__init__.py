"""Spiders: discovery and requests only; extraction lives in `drmcrawl.extract`."""
