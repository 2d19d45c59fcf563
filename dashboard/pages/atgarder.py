"""Åtgärder (placeholder: the page owner replaces this file)."""

import streamlit as st

st.title("Åtgärder")
st.info("Sidan byggs.")
