"""The Streamlit layer: cached loaders and widgets for dashboard.py and pages/ (the only Streamlit code)."""
