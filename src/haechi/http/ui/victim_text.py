"""The victim pages' words, in Korean and English, kept out of the templates so both stay in step.

Written for a person who may be frightened or ashamed: short sentences, no jargon, what happens to
her pictures said plainly and first. `TEXT[lang]` holds the same keys in every language (a test
checks); keys starting with `js_` are also handed to the page's script. The helplines (`HELPLINES`)
are Korean public services: the police, the Women's Emergency Line (around the clock) and the
Digital Sex Crime Victim Support Centre.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("ko", "en")
DEFAULT_LANGUAGE = "ko"

_KO: dict[str, str] = {
    "language_name": "한국어",
    "other_language": "English",
    "other_language_code": "en",
    "title": "사진을 보내지 않고 차단 요청하기",
    "lead": (
        "실제 사진이든 합성(딥페이크)이든, 내 모습이 담긴 성적인 사진이나 영상이 퍼지고 있다면 "
        "차단을 요청할 수 있습니다."
    ),
    "not_your_fault": "이것은 당신의 잘못이 아닙니다.",
    "promise": (
        "사진과 영상은 이 기기 밖으로 나가지 않습니다. 이 페이지가 각 파일의 디지털 지문(해시)을 "
        "이 기기에서 만들고, 지문만 보냅니다. 지문으로는 사진을 되살릴 수 없습니다."
    ),
    "step_pick": "1. 사진이나 영상 고르기",
    "pick_button": "파일 고르기",
    "pick_hint": "여러 개를 한 번에 고를 수 있습니다. 미리보기는 이 기기에서만 흐리게 보입니다.",
    "show_pictures": "미리보기 선명하게 보기",
    "hide_pictures": "미리보기 흐리게 하기",
    "step_where": "2. 어디에서 보셨나요? (선택)",
    "platform_label": "앱 또는 사이트",
    "platform_none": "선택하지 않음",
    "platform_other": "기타",
    "link_label": "대화방이나 게시물 링크 (선택)",
    "link_hint": "예: https://t.me/… 링크를 몰라도 괜찮습니다.",
    "step_send": "3. 확인하고 보내기",
    "confirm_label": (
        "사진 속 사람은 저 자신입니다(또는 당사자의 동의를 받아 돕고 있습니다). "
        "이 신고는 사실이며 선의로 합니다."
    ),
    "explanation": (
        "피해 당사자 신고(해치 피해자 페이지): "
        "제 동의 없이 만들어지거나 퍼진 성적인 사진·영상입니다."
    ),
    "send_button": "지문 보내기",
    "details_summary": "보내는 내용 보기",
    "details_hint": "아래 내용만 전송됩니다. 사진이나 영상 자체는 전송되지 않습니다.",
    "status_link": "이미 신고하셨나요? 진행 상황 확인 또는 철회",
    "help_title": "지금 도움이 필요하신가요?",
    "help_emergency": "위급하면 경찰",
    "help_1366": "여성긴급전화 (24시간)",
    "help_center": "디지털성범죄피해자지원센터",
    "status_title": "신고 진행 상황 확인",
    "status_lead": "신고할 때 받은 사건 번호와 PIN을 입력하세요.",
    "case_number": "사건 번호",
    "pin": "PIN (숫자 8자리)",
    "check_button": "확인하기",
    "back_to_report": "새로 신고하기",
    "submitted_at": "신고한 때",
    "report_received": "신고가 접수되었습니다.",
    "report_withdrawn": "신고를 철회했습니다. 이 신고의 지문은 더 이상 차단에 쓰이지 않습니다.",
    "items_heading": "파일별 상태",
    "item_n": "파일",
    "item_pending": "검토를 기다리는 중",
    "item_escalated": "추가 검토 중",
    "item_confirmed_illegal": "검토 완료: 차단 대상으로 확인됨",
    "item_not_illegal": "검토 완료: 차단 목록에 추가하지 않음",
    "item_withdrawn": "철회됨",
    "step_received": "접수됨",
    "step_reviewed": "검토됨 (결정이 내려짐)",
    "step_active": "지문이 차단에 쓰이는 중",
    "step_matches": "{n}개 플랫폼에서 일치하는 콘텐츠 발견",
    "step_removed": "플랫폼이 삭제함",
    "withdraw_title": "신고 철회",
    "withdraw_lead": (
        "철회하면 이 신고로 보낸 지문은 몇 초 안에 차단에 쓰이지 않게 되고, 검토자도 더 이상 "
        "이 신고를 처리하지 않습니다."
    ),
    "withdraw_confirm": "신고를 철회하겠습니다.",
    "withdraw_button": "철회하기",
    "error_not_found": "이 사건 번호와 PIN에 맞는 신고가 없습니다. 다시 확인해 주세요.",
    "error_rate": "시도가 너무 많았습니다. 잠시 후 다시 해 주세요.",
    "error_input": "사건 번호(예: HC-2026-000123)와 숫자 8자리 PIN을 확인해 주세요.",
    "error_confirm": "철회하려면 확인란을 선택해 주세요.",
    "noscript": "이 페이지는 지문을 이 기기에서 만들기 위해 자바스크립트가 필요합니다.",
    "js_hashing": "지문 만드는 중…",
    "js_ready": "준비됨",
    "js_ready_video": "준비됨 (영상: 똑같은 파일을 찾습니다)",
    "js_low_quality": "준비됨 (세부가 적어 똑같은 파일만 찾습니다)",
    "js_exact_only": "준비됨 (이 형식은 똑같은 파일만 찾습니다)",
    "js_failed": "이 파일을 읽을 수 없습니다",
    "js_too_large": "파일이 너무 큽니다. 지원센터에 도움을 요청해 주세요",
    "js_not_media": "사진이나 영상 파일이 아닙니다",
    "js_remove": "빼기",
    "js_video": "영상",
    "js_no_preview": "미리보기 없음",
    "js_no_files": "먼저 사진이나 영상을 골라 주세요.",
    "js_need_confirm": "보내기 전에 확인란을 선택해 주세요.",
    "js_wait": "지문을 다 만들 때까지 기다려 주세요.",
    "js_sending": "보내는 중…",
    "js_failed_send": "보내지 못했습니다. 인터넷 연결을 확인하고 다시 시도해 주세요.",
    "js_rate_limited": (
        "이 연결에서 신고가 너무 많았습니다. 나중에 다시 하거나 지원센터에 도움을 요청해 주세요."
    ),
    "js_done_title": "신고가 접수되었습니다",
    "js_done_lead": (
        "아래 사건 번호와 PIN을 지금 적어 두거나 저장하세요. PIN은 지금 한 번만 보여 드립니다."
    ),
    "js_save": "파일로 저장",
    "js_status": "진행 상황 확인 또는 철회",
    "js_count": "개 파일 준비됨",
}

_EN: dict[str, str] = {
    "language_name": "English",
    "other_language": "한국어",
    "other_language_code": "ko",
    "title": "Block a picture without sending it",
    "lead": (
        "If a sexual picture or video of you is being shared, real or faked (a deepfake), you "
        "can ask for it to be blocked."
    ),
    "not_your_fault": "This is not your fault.",
    "promise": (
        "Your pictures and videos never leave this device. This page makes a digital "
        "fingerprint (a hash) of each file here, and sends only the fingerprints. A fingerprint "
        "cannot be turned back into the picture."
    ),
    "step_pick": "1. Choose the photos or videos",
    "pick_button": "Choose files",
    "pick_hint": "You can choose several at once. Previews are shown blurred, on this device only.",
    "show_pictures": "Show previews clearly",
    "hide_pictures": "Blur previews",
    "step_where": "2. Where did you see it? (optional)",
    "platform_label": "App or website",
    "platform_none": "Not chosen",
    "platform_other": "Other",
    "link_label": "Link to the chat room or post (optional)",
    "link_hint": "For example https://t.me/… It is fine if you do not have one.",
    "step_send": "3. Confirm and send",
    "confirm_label": (
        "I am the person in these pictures (or I am helping them, with their agreement). "
        "This report is true and made in good faith."
    ),
    "explanation": (
        "Report by the person shown (haechi victim page): sexual images made or shared "
        "without my consent."
    ),
    "send_button": "Send fingerprints",
    "details_summary": "See exactly what will be sent",
    "details_hint": "Only what is below is sent. The pictures and videos themselves are not.",
    "status_link": "Already reported? Check progress or withdraw",
    "help_title": "Need help now?",
    "help_emergency": "In an emergency, the police",
    "help_1366": "Women's Emergency Line (24 hours)",
    "help_center": "Digital Sex Crime Victim Support Centre",
    "status_title": "Check your report",
    "status_lead": "Enter the case number and PIN you were given when you reported.",
    "case_number": "Case number",
    "pin": "PIN (8 digits)",
    "check_button": "Check",
    "back_to_report": "Make a new report",
    "submitted_at": "Reported",
    "report_received": "Your report has been received.",
    "report_withdrawn": (
        "Your report is withdrawn. Its fingerprints are no longer used to block anything."
    ),
    "items_heading": "Status of each file",
    "item_n": "File",
    "item_pending": "Waiting for review",
    "item_escalated": "Being reviewed further",
    "item_confirmed_illegal": "Reviewed: confirmed for blocking",
    "item_not_illegal": "Reviewed: not added to the block list",
    "item_withdrawn": "Withdrawn",
    "step_received": "Received",
    "step_reviewed": "Reviewed (a decision was made)",
    "step_active": "Fingerprints active for blocking",
    "step_matches": "Matches found on {n} platform(s)",
    "step_removed": "Removed by a platform",
    "withdraw_title": "Withdraw your report",
    "withdraw_lead": (
        "If you withdraw, the fingerprints you sent stop being used for blocking within "
        "seconds, and reviewers stop working on your report."
    ),
    "withdraw_confirm": "I want to withdraw my report.",
    "withdraw_button": "Withdraw",
    "error_not_found": "No report matches this case number and PIN. Please check them.",
    "error_rate": "Too many attempts. Please wait a while and try again.",
    "error_input": "Check the case number (like HC-2026-000123) and the 8-digit PIN.",
    "error_confirm": "Tick the box to confirm that you want to withdraw.",
    "noscript": "This page needs JavaScript to make the fingerprints on your device.",
    "js_hashing": "Making fingerprint…",
    "js_ready": "Ready",
    "js_ready_video": "Ready (video: exact copies will be found)",
    "js_low_quality": "Ready (little detail: only exact copies will be found)",
    "js_exact_only": "Ready (this format: only exact copies will be found)",
    "js_failed": "This file could not be read",
    "js_too_large": "This file is too large. A support centre can help",
    "js_not_media": "This is not a photo or video",
    "js_remove": "Remove",
    "js_video": "Video",
    "js_no_preview": "No preview",
    "js_no_files": "First choose the photos or videos.",
    "js_need_confirm": "Please tick the box before sending.",
    "js_wait": "Please wait until every fingerprint is made.",
    "js_sending": "Sending…",
    "js_failed_send": "It could not be sent. Check your internet connection and try again.",
    "js_rate_limited": (
        "Too many reports came from this connection. Try later, or ask a support centre to help."
    ),
    "js_done_title": "Your report has been received",
    "js_done_lead": (
        "Write down or save the case number and PIN now. The PIN is shown only this once."
    ),
    "js_save": "Save as a file",
    "js_status": "Check progress or withdraw",
    "js_count": "file(s) ready",
}

TEXT: dict[str, dict[str, str]] = {"ko": _KO, "en": _EN}

#: the platforms offered in the "where did you see it" list (values are stored as they are)
PLATFORMS: tuple[str, ...] = (
    "Telegram",
    "KakaoTalk",
    "X (Twitter)",
    "Instagram",
    "Discord",
    "LINE",
    "Signal",
    "Naver Band",
)


#: (text key, number) of the helplines shown on every victim page, as tap-to-call links
HELPLINES: tuple[tuple[str, str], ...] = (
    ("help_emergency", "112"),
    ("help_1366", "1366"),
    ("help_center", "02-735-8994"),
)


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """The asked-for language if we have it, else the first of ours the browser prefers."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def script_text(lang: str) -> dict[str, str]:
    """The strings the page's script shows, without their `js_` prefix."""
    return {k[3:]: v for k, v in TEXT[lang].items() if k.startswith("js_")}


__all__ = ["HELPLINES", "LANGUAGES", "PLATFORMS", "TEXT", "choose_language", "script_text"]
