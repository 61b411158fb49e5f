"""The advisors' side: one forum supergroup, one topic per case. A registered advisor's
message in a case's topic goes to the newcomer (text or media); `/claim`, `/close`, `/note`,
`/lang` act on the case; `/note …`, like every command, stays in the topic and is never
relayed. Anyone else in the group is ignored, and that is logged."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from actions.phrases import phrases
from bot.lotse import Lotse, lotse_of
from cases.store import Case
from nlu.language import LANGUAGES

logger = logging.getLogger(__name__)


def _is_advisor(lotse: Lotse, user_id: int) -> bool:
    return user_id in lotse.settings.advisor_ids or user_id in lotse.cases.advisors()


async def _case_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Lotse, Case] | None:
    """The active case of the topic the message was written in, if its author may act on it."""
    lotse, message = lotse_of(context), update.effective_message
    if not _is_advisor(lotse, update.effective_user.id):
        logger.warning("ignored a message from user %s in the advisors' group: not a registered advisor",
                       update.effective_user.id)
        return None
    case = lotse.cases.case_in_thread(message.message_thread_id) if message.is_topic_message else None
    if case is None or not case.is_active:
        await message.reply_text(phrases().say("case_gone", lotse.settings.advisor_language))
        return None
    return lotse, case


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An advisor's message in a case's topic reaches the newcomer, once."""
    found = await _case_here(update, context)
    if found is None:
        return
    lotse, case = found
    message = update.effective_message
    if not lotse.cases.claim_mirror(case.id, "out", message.chat_id, message.message_id):
        return
    if case.status == "open":  # answering takes the case
        await _claim(update, context, lotse, case)
    copied = await context.bot.copy_message(case.chat_id, message.chat_id, message.message_id)
    lotse.cases.mirrored(message.chat_id, message.message_id, copied.message_id)


async def on_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _case_here(update, context)
    if found is not None and found[1].status == "open":
        await _claim(update, context, *found)


async def _claim(update: Update, context: ContextTypes.DEFAULT_TYPE, lotse: Lotse, case: Case) -> None:
    advisor = update.effective_user
    case = lotse.cases.claim(case.id, advisor.id)
    await context.bot.send_message(case.chat_id, phrases().say("advisor_joined", case.language))
    await update.effective_message.reply_text(phrases().say(
        "case_claimed", lotse.settings.advisor_language, case=str(case.id), advisor=advisor.full_name))


async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The newcomer is told, Rasa answers them again, the topic is closed."""
    found = await _case_here(update, context)
    if found is None:
        return
    lotse, case = found
    await lotse.rasa.resume(case.sender)
    case = lotse.cases.close(case.id)
    await context.bot.send_message(case.chat_id, phrases().say("advisor_closed", case.language))
    await update.effective_message.reply_text(phrases().say("case_closed", lotse.settings.advisor_language,
                                                            case=str(case.id)))
    await context.bot.close_forum_topic(lotse.settings.advisors_chat, case.thread_id)


async def on_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/lang uk`: what Lotse tells the newcomer about the case is in that language from now on."""
    found = await _case_here(update, context)
    if found is None:
        return
    lotse, case = found
    chosen = (context.args or [""])[0].lower()
    if chosen in LANGUAGES:
        lotse.cases.set_language(case.id, chosen)
        await update.effective_message.reply_text(f"✓ {chosen}")
    else:
        await update.effective_message.reply_text("/lang " + " | ".join(LANGUAGES))
