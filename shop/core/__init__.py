"""Small building blocks shared by every feature: time, money, security, markdown, images."""
