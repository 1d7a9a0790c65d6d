"""Support code for the browser tests (tests/test_browser.py, tests/test_site.py).

- ``chromium``: find Debian's Chromium and the Python ``playwright`` package (skip locally, fail under CI when
  they are missing), launch it hermetically, and the page checks both tests share (console errors, external
  requests, CJK fonts, matplotlib animations).
- ``lab``: start a throw-away JupyterLab server on a copy of the notebooks.
"""
