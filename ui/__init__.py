"""Streamlit pages and widgets only; business logic lives in questions/, rules/, storage/."""
