"""Connectors: separate processes that sit inside a messaging platform (a Telegram bot, …) and talk
to haechi over HTTP with an organisation's token, exactly as any platform would. They never open
haechi's database or import adapters; media is hashed where it is seen and only hashes and room
metadata leave the connector."""
