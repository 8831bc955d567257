"""The demo province for `make run`: police stations for every district and county, generated units."""
