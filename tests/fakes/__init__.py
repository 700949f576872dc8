"""Fakes of outside services (the Telegram Bot API, …) that tests run on 127.0.0.1."""
