"""The mood meter ("Stimmungsbarometer"): the documented minimal example of an activity."""
