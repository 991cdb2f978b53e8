"""Reviews: verified buyers rate what they bought or attended; the artisan replies once."""
