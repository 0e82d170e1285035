"""The Streamlit layer: cached loaders and widgets for dashboard.py and app_pages/ (the only Streamlit code)."""
