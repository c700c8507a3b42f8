"""ideas"""
