"""The Streamlit layer of mfviz: session state, cached wrappers and figure builders for the pages."""
