"""cafe"""
