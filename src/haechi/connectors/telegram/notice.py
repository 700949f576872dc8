"""What the bot posts in a group after a match: short, bilingual (Korean first), never naming the
poster or describing the picture, and telling victims where to get help.

The help lines default to South Korea's Digital Sex Crime Victim Support Center (디지털성범죄피해자
지원센터, 02-735-8994) and the Korea Communications Standards Commission's report line (1377);
operators in other countries pass their own with `--victim-help`.
"""

from __future__ import annotations

DEFAULT_HELP = (
    "피해 지원: 디지털성범죄피해자지원센터 02-735-8994 · 방송통신심의위원회 1377 · 긴급 112\n"
    "Help for victims: Digital Sex Crime Victim Support Center +82-2-735-8994 · KCSC 1377 · "
    "emergency 112"
)

REMOVED = (
    "⚠️ 이 그룹의 메시지 하나가 삭제되었습니다. 알려진 불법 촬영물·딥페이크 성착취물의 해시와 "
    "일치했습니다. 이 자료를 공유하는 것은 범죄입니다.\n"
    "A message in this group was removed: it matched the hash of known sexual-abuse imagery "
    "(including deepfakes). Sharing it is a crime."
)

NOT_REMOVED = (
    "⚠️ 이 그룹의 메시지 하나가 알려진 불법 촬영물·딥페이크 성착취물의 해시와 일치했습니다. "
    "봇이 삭제하지 못했습니다('메시지 삭제' 권한이 없거나 오래된 메시지). 관리자는 즉시 "
    "삭제해 주십시오.\n"
    "A message in this group matched the hash of known sexual-abuse imagery (including "
    "deepfakes). This bot could not delete it (it lacks the 'Delete messages' right, or the "
    "message is too old): group admins, please remove it now."
)


def notice_text(*, removed: bool, help_text: str = DEFAULT_HELP) -> str:
    """The group notice after a match (`removed`: whether the bot deleted the message)."""
    body = REMOVED if removed else NOT_REMOVED
    return f"{body}\n\n{help_text}".strip()
