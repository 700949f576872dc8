"""The Telegram connector (issue 8): a bot that group admins add to their groups. See
docs/connectors/telegram.md; started with `haechi connector telegram`."""

import os

# python-telegram-bot 22 is moving time periods (retry_after, …) from int to timedelta and warns on
# every access unless told to use the new form; this connector reads them as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")
