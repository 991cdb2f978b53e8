"""Messages between a customer and an artisan, without either seeing the other's address."""
