"""Every write of 信息报送 and 《组工信息》. Pages, the API, jobs and the demo call these.

- `articles`: draft, submit, return, the editor's versions, adoption.
- `issues`: journals, composing an issue, publishing with the next 期号, 更正.
- `quotas`: 报送任务, progress per unit, reminders through the outbox.
- `richtext`: the allowed subset of an article's HTML.
"""
