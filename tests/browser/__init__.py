"""Real-browser tests: the real app server, Debian's Chromium driven by Playwright (issue 7)."""
