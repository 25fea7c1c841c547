"""Thin click commands: parse, call one service, render, translate errors."""
