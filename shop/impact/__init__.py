"""The public impact page, goal figures, impact receipts and exports."""
