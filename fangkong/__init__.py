"""Fangkong (防控): outbreak response command platform."""
