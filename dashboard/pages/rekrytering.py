"""Rekryteringssignaler (placeholder: the page owner replaces this file)."""

import streamlit as st

st.title("Rekryteringssignaler")
st.info("Sidan byggs.")
