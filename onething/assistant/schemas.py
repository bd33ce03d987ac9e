from ninja import Field, Schema


class SearchResult(Schema):
    code: str
    name: str
    kind: str = Field(description="onething | oneclass | item | policy")
    score: float
    why: list[str] = Field(description="匹配的词；“面馆→餐饮”表示经同义词或拼音纠错得到")


class SearchOut(Schema):
    results: list[SearchResult]


class ChatIn(Schema):
    conversation_id: str | None = Field(None, description="省略则开始新对话")
    message: str | None = Field(None, description="群众输入的文字（超过200字只取前200字）")
    choice: str | None = Field(None, description="点击的选项 value，原样回传")


class Choice(Schema):
    value: str
    label: str


class Candidate(Schema):
    code: str
    name: str
    description: str
    why: list[str]
    score: float


class Question(Schema):
    code: str
    text: str
    index: int
    total: int


class Citation(Schema):
    code: str
    name: str
    section: str = Field(description="办事指南中引用的部分，如“办理时限”")
    lines: list[str]


class Bubble(Schema):
    kind: str = Field(description="notice | candidates | question | checklist | guide | handoff")
    text: str
    choices: list[Choice] = []
    candidates: list[Candidate] | None = None
    question: Question | None = None
    checklist: dict | None = Field(
        None, description="个性化清单：bring、not_needed、时限、收费、地点"
    )
    citation: Citation | None = None
    apply_url: str | None = None


class ChatOut(Schema):
    conversation_id: str
    stage: str = Field(description="idle | choosing | asking | done")
    said: str = Field(description="本轮群众说的话或所点选项的文字")
    replies: list[Bubble]
