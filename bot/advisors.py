"""The advisors' side: one forum supergroup, one topic per case. A registered advisor's
message in a case's topic goes to the newcomer (text or media); `/claim`, `/close`, `/note`,
`/lang` act on the case; `/note …`, like every command, stays in the topic and is never
relayed. In the group: `/queue`, `/status`, `/languages ar prs`, `/register` (an admin,
answering a member's message), and `/help`. Anyone else in the group is ignored, and that is logged."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from telegram import Bot, Update
from telegram.ext import ContextTypes

from bot.lotse import PRIORITY_ICON, Lotse, author_of, lotse_of, message_of, send_text
from cases.store import Case
from texts import LANGUAGES, advisor_texts

logger = logging.getLogger(__name__)


async def _case_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Lotse, Case] | None:
    """The active case of the topic the message was written in, if its author may act on it."""
    lotse, message = lotse_of(context), message_of(update)
    if not await _registered(update, lotse):
        return None
    case = (await asyncio.to_thread(lotse.cases.case_in_thread, message.message_thread_id)
            if message.is_topic_message and message.message_thread_id is not None else None)
    if case is None or not case.is_active:
        await message.reply_text(advisor_texts().say("case_gone", lotse.settings.advisor_language))
        return None
    return lotse, case


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An advisor's message in a case's topic reaches the newcomer, once."""
    found = await _case_here(update, context)
    if found is None:
        return
    lotse, case = found
    message = message_of(update)
    if not await asyncio.to_thread(lotse.cases.claim_mirror, case.id, "out", message.chat_id, message.message_id):
        return
    try:
        if case.status == "open":  # answering takes the case
            await _claim(update, context, lotse, case)
        copied = await context.bot.copy_message(case.chat_id, message.chat_id, message.message_id)
    except BaseException:  # the retried update copies it
        await asyncio.to_thread(lotse.cases.release_mirror, message.chat_id, message.message_id)
        raise
    await asyncio.to_thread(lotse.cases.mirrored, message.chat_id, message.message_id, copied.message_id)


async def on_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _case_here(update, context)
    if found is not None and found[1].status == "open":
        await _claim(update, context, *found)


async def _claim(update: Update, context: ContextTypes.DEFAULT_TYPE, lotse: Lotse, case: Case) -> None:
    advisor = author_of(update)
    case = await asyncio.to_thread(lotse.cases.claim, case.id, advisor.id)
    await context.bot.send_message(case.chat_id, lotse.texts.say("advisor_joined", case.language))
    await message_of(update).reply_text(advisor_texts().say(
        "case_claimed", lotse.settings.advisor_language, case=str(case.id), advisor=advisor.full_name))


async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The newcomer is told, Rasa answers them again, the topic is closed."""
    found = await _case_here(update, context)
    if found is not None:
        lotse, case = found
        await lotse.close_case(context.bot, case, advisor_texts().say("case_closed", lotse.settings.advisor_language,
                                                                case=str(case.id)))


async def on_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/lang uk`: what Lotse tells the newcomer about the case is in that language from now on."""
    found = await _case_here(update, context)
    if found is None:
        return
    lotse, case = found
    chosen = (context.args or [""])[0].lower()
    if chosen in LANGUAGES:
        await asyncio.to_thread(lotse.cases.set_language, case.id, chosen)
        await message_of(update).reply_text(f"✓ {chosen}")
    else:
        await message_of(update).reply_text("/lang " + " | ".join(LANGUAGES))


async def _registered(update: Update, lotse: Lotse) -> bool:
    """Whether the author may act here; anyone else is ignored, and that is logged."""
    if author_of(update).id in await lotse.advisors():
        return True
    logger.warning("ignored %s in the advisors' group: not a registered advisor",  # a pseudonym, not the Telegram id
                   lotse.sender_of(author_of(update).id))
    return False


async def on_queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open cases, urgent first, then by waiting time."""
    lotse = lotse_of(context)
    if await _registered(update, lotse):
        message = message_of(update)
        await send_text(context.bot, message.chat_id, await queue_text(lotse) or advisor_texts().say(
            "queue_empty", lotse.settings.advisor_language), thread=message.message_thread_id)


async def queue_text(lotse: Lotse) -> str:
    """One line per open case (empty when there is none)."""
    language, now, advisors = lotse.settings.advisor_language, datetime.now(timezone.utc), await lotse.advisors()
    return "\n".join(advisor_texts().say(
        "queue_line", language, icon=PRIORITY_ICON[case.priority], case=str(case.id), case_language=case.language,
        topic=case.topic or "-", minutes=str(int((now - case.opened_at).total_seconds() // 60)),
        who=advisors[case.advisor_id][0] if case.advisor_id in advisors
        else advisor_texts().say("queue_unclaimed", language))
        for case in await asyncio.to_thread(lotse.cases.queue))


async def remind_of_the_queue(bot: Bot, lotse: Lotse) -> None:
    """When the office opens: the cases that came in meanwhile, in the group."""
    lines = await queue_text(lotse)
    if lines:
        await send_text(bot, lotse.settings.advisors_chat,
                        advisor_texts().say("office_open_queue", lotse.settings.advisor_language) + "\n" + lines)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the group is for and which commands work where (also `/start` in the group)."""
    lotse = lotse_of(context)
    if await _registered(update, lotse):
        await message_of(update).reply_text(advisor_texts().say("advisor_help", lotse.settings.advisor_language))


async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lotse = lotse_of(context)
    if not await _registered(update, lotse):
        return
    queue, advisors = await asyncio.to_thread(lotse.cases.queue), await lotse.advisors()
    languages = sorted({language for _, spoken in advisors.values() for language in spoken})
    await message_of(update).reply_text(advisor_texts().say(
        "status", lotse.settings.advisor_language, open=str(sum(c.status == "open" for c in queue)),
        urgent=str(sum(c.priority == "urgent" for c in queue)), claimed=str(sum(c.status == "claimed" for c in queue)),
        advisors=str(len(advisors)), languages=", ".join(languages) or "-"))


async def on_languages(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/languages ar prs`: the languages I speak (new cases in them mention me)."""
    lotse, advisor = lotse_of(context), author_of(update)
    if not await _registered(update, lotse):
        return
    chosen = [code for code in (argument.lower() for argument in context.args or []) if code in LANGUAGES]
    if chosen:
        await asyncio.to_thread(lotse.cases.register_advisor, advisor.id, advisor.full_name)
        await asyncio.to_thread(lotse.cases.set_advisor_languages, advisor.id, chosen)
    spoken = (await lotse.advisors()).get(advisor.id, ("", ()))[1]
    await message_of(update).reply_text(advisor_texts().say(
        "advisor_languages", lotse.settings.advisor_language, advisor=advisor.full_name,
        languages=", ".join(spoken) or "-"))


async def on_register(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin of the group answers a member's message with `/register`: that member is an advisor."""
    lotse, message = lotse_of(context), message_of(update)
    member = await context.bot.get_chat_member(lotse.settings.advisors_chat, author_of(update).id)
    if member.status not in ("administrator", "creator"):
        await message.reply_text(advisor_texts().say("only_admins_register", lotse.settings.advisor_language))
        return
    person = message.reply_to_message.from_user if message.reply_to_message else author_of(update)
    if person is None:  # an answer to a channel's post: nobody to register
        return
    await asyncio.to_thread(lotse.cases.register_advisor, person.id, person.full_name)
    await message.reply_text(advisor_texts().say("advisor_registered", lotse.settings.advisor_language,
                                           advisor=person.full_name))

