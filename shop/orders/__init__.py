"""Cart, checkout and orders."""
