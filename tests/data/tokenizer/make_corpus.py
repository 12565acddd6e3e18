#!/usr/bin/env python3
"""Writes corpus.json: the lines kaif's tokenizers must encode exactly as the reference.

Deterministic (seeded). Mixes Korean prose, old Hangul (conjoining jamo, archaic letters),
Korean/English/number mixes, URLs, code, emoji (ZWJ sequences, flags, skin tones),
whitespace runs, NFC/NFD variants, other scripts, and a few hostile strings.
Usage: python3 make_corpus.py   (writes corpus.json next to this script)
"""
import json
import os
import random
import unicodedata

rng = random.Random(20251231)

KOREAN = [
    "정부는 독자 AI 파운데이션 모델 프로젝트의 1차 단계평가 결과를 발표했다.",
    "평가는 국민 사용 평가, 전문가 평가, 벤치마크 검증으로 이루어졌다.",
    "다섯 개 정예팀 가운데 세 팀이 다음 단계로 진출했습니다.",
    "한국어 능력과 안전성은 별도로 검증한다고 밝혔다.",
    "오픈소스 수준에 따라 자부담 비율이 달라진다.",
    "GPU는 처음에 팀당 약 500장에서 시작해 성과에 따라 늘어난다.",
    "학습 데이터의 50% 이상은 공개해야 한다.",
    "해외 우수 인재 유치를 위해 연간 20억 원까지 지원한다.",
    "모델의 독자성은 가중치, 토크나이저, 구조를 근거로 판단한다.",
    "정규화 가중치의 코사인 유사도만으로는 표절을 판단할 수 없다.",
    "안녕하세요? 오늘 날씨가 참 좋네요!",
    "그는 \"우리가 만든 모델이 세계 최고 수준의 95%에 도달했다\"고 말했다.",
    "서울특별시 종로구 세종대로 209",
    "ㅋㅋㅋㅋ 진짜요?? ㅎㅎ",
    "ㄱㄴㄷㄹㅁㅂㅅㅇㅈㅊㅋㅌㅍㅎ ㅏㅑㅓㅕㅗㅛㅜㅠㅡㅣ",
    "뷁 똠방각하 쀍 햏 읽읊 닭 값 삶",
    "다람쥐 헌 쳇바퀴에 타고파.",
    "키스의 고유 조건은 입술끼리 만나야 하고 특별한 기술은 필요치 않다.",
    "대한민국 헌법 제1조 ①대한민국은 민주공화국이다.",
    "과학기술정보통신부(과기정통부)와 정보통신산업진흥원(NIPA)",
    "1차 평가에서 최고점은 90.2점, 평균은 79.7점이었다.",
    "LG AI연구원의 EXAONE, 네이버의 HyperCLOVA X, SKT의 A.X",
    "가나다라마바사아자차카타파하",
    "ᄀᆞᆫ나ᄃᆞᆯ 하ᄂᆞᆯ (옛한글)",
    "나랏말ᄊᆞ미 듕귁에 달아 문ᄍᆞᆼ와로 서르 ᄉᆞᄆᆞᆺ디 아니ᄒᆞᆯᄊᆡ",
    "ᄒᆞᆫ글 ᅀᅵᆫ ᅌᅵ ᅙᅩᆼ ᆷ ᇹ ꥠ ힰ ퟻ",
    "훈민정음 해례본은 1446년에 간행되었다.",
    "이 문장은 공백이    여러 개    있습니다.",
    "탭\t문자와\t섞인\t문장",
    "전각　공백과 반각 공백",
]
ENGLISH = [
    "The quick brown fox jumps over the lazy dog.",
    "Benchmarks get gamed: independent researchers found the evaluation tuned to the model.",
    "I'm sure they'll say it's fine, but we've seen what they'd do.",
    "Don't stop believing; it's 3:45 PM on 2026-01-15.",
    "Tokenization is the first step of every LLM pipeline.",
    "HELLO WORLD!!! This IS a TEST of CAPITALIZATION.",
]
MIXED = [
    "GPU {n}장을 {y}년 {m}월까지 배분한다 (H100 기준).",
    "{n}개 팀 중 {k}개 팀이 통과, 통과율 {p}%",
    "모델 크기: {b}B 파라미터, 학습 토큰 {t}T",
    "Qwen3-{b}B 모델과 Llama-3.1-{b}B-Instruct를 비교했다.",
    "가격은 ₩{n},000원 또는 ${m}.{k}9입니다.",
    "버전 v{m}.{k}.{n} 릴리스 노트 (2026/{m}/{k})",
    "정답률 {p}.{k}% ± {m}.{n}%p",
]
URLS = [
    "https://www.msit.go.kr/bbs/view.do?sCode=user&mId=113&mPid=238&bbsSeqNo=94&nttSeqNo=3185",
    "http://example.com/한글/경로?질문=값&x=1#앵커",
    "https://huggingface.co/LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct/resolve/main/config.json",
    "mailto:team@example.kr",
    "ftp://files.example.org/pub/data_2025-12-31.tar.gz",
    "www.나라.kr/정책/인공지능",
]
CODE = [
    "def tokenize(text: str) -> list[int]:\n    return [ord(c) for c in text]",
    "for (int i = 0; i < n; ++i) { sum += x[i] * w[i]; }",
    "if (a != b && c >= d) return -1;  // 비교",
    "SELECT team, score FROM results WHERE stage = 1 ORDER BY score DESC;",
    "const 점수 = { 한빛: 81.37, 새별: 79.11 };",
    "    indented(\"4 spaces\")\n\t\ttabbed()\n",
    "x=1;y=2;z=x+y",
    "<div class=\"report\">결정 요약</div>",
    "$ kaif round --program program.toml --stage 1 --out out/",
    "#include <vector>\nint main() { return 0; }",
]
EMOJI = [
    "좋아요 👍👍🏽👍🏿", "가족 👨‍👩‍👧‍👦 사진", "국기 🇰🇷🇺🇸🇯🇵", "🤖 AI 모델 🚀🔥",
    "하트 ❤️ 💔 ❣️", "얼굴 😀😃😄😁😆😅🤣😂", "🧑🏻‍💻 개발자", "☕️ 커피 한 잔", "🏳️‍🌈 🏴‍☠️",
]
OTHER = [
    "日本語のテキストも含まれています。東京は日本の首都です。",
    "人工智能基础模型的评估需要公开透明。",
    "Искусственный интеллект меняет мир.",
    "الذكاء الاصطناعي يغير العالم.",
    "कृत्रिम बुद्धिमत्ता दुनिया बदल रही है।",
    "Η τεχνητή νοημοσύνη αλλάζει τον κόσμο.",
    "ปัญญาประดิษฐ์กำลังเปลี่ยนโลก",
    "Trí tuệ nhân tạo đang thay đổi thế giới.",
    "Zürich, Köln, São Paulo, naïve café, Ångström",
    "ﬁ ﬂ ﬀ ① ② ⅓ ² ³ ㎏ ㎞ ㈜ ㉠ Ⅻ",
]
HOSTILE = [
    "", " ", "  ", "\n", "\n\n\n", "\r\n", "\t", "   \n   ", "a", "가",
    "'s 's'S'll'LL", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "가" * 80, "1234567890123456789012345678901234567890", "!!!???...,,,;;;", "\u200b\u200c\u200d\ufeff",
    "<|endoftext|>", "<|im_start|>user\n안녕<|im_end|>", "<start_of_turn>user", "<s> </s>", "<|begin_of_text|>",
    "\u00a0nbsp\u00a0\u2003em\u2003", "ㅤ", "\U0001F600" * 10, "\u0301\u0301 combining at start",
]


def variants(text):
    """The text and, where different, its NFD and NFKC forms (some tokenizers normalize)."""
    out = [text]
    for form in ("NFD", "NFKC"):
        other = unicodedata.normalize(form, text)
        if other != text:
            out.append(other)
    return out


def fill(template):
    return template.format(n=rng.randint(0, 9999), y=rng.randint(2020, 2030), m=rng.randint(1, 12),
                           k=rng.randint(1, 31), p=rng.randint(0, 100), b=rng.choice([0.6, 1.7, 4, 7, 8, 14, 32, 235]),
                           t=rng.randint(1, 40))


def main():
    lines = []
    for group in (KOREAN, ENGLISH, URLS, CODE, EMOJI, OTHER, HOSTILE):
        for text in group:
            lines.extend(variants(text))
    for _ in range(60):
        lines.append(fill(rng.choice(MIXED)))
    pools = [KOREAN, KOREAN, ENGLISH, URLS, CODE, EMOJI, OTHER, [fill(m) for m in MIXED]]
    separators = [" ", "  ", "\n", "\t", ", ", " — ", "\n\n", " \n ", "", "   "]
    while len(lines) < 2400:
        parts = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(2, 5))]
        text = rng.choice(separators).join(parts)
        if rng.random() < 0.15:
            text = unicodedata.normalize("NFD", text)
        if rng.random() < 0.1:
            text = " " * rng.randint(1, 6) + text + " " * rng.randint(0, 3)
        lines.append(text)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(lines, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"wrote {len(lines)} lines to {path}")


if __name__ == "__main__":
    main()
