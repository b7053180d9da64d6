"""Finding the seat: a seat name, GSS code or GB postcode turned into one 2024 constituency."""
