"""The yardstick: a bare Flask hello-world, served exactly like the shop in the benchmark."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
