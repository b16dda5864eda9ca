"""The fake WeChat API as an aiohttp application: the route table and the unknown-path answer.

An unknown API path answers as api.weixin.qq.com does — HTTP 200 with errcode 40066
"invalid url" (wechatpy issues #179 and #289 record it for wrong paths) — and is recorded; a
known path with the wrong method answers 43001 / 43002 (require GET / POST method).
"""

from __future__ import annotations

from aiohttp import web

from bot.wechat.fake import externalcontact, media, menu, oa, robot, wecom
from bot.wechat.fake.control import API_PATHS, add_control_routes
from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.http import (
    FAKE_KEY,
    Logic,
    Route,
    answer,
    endpoint,
    json_response,
    read_request,
)
from bot.wechat.fake.state import FakeWeChat

MAX_UPLOAD = 25 * 1024 * 1024  # above WeCom's 20 MB file limit, so the fake answers 40006

EC = "/cgi-bin/externalcontact"


def _oa(method: str, path: str, logic: Logic, kind: str | None = "oa") -> Route:
    return Route(method, path, logic, kind, "oa")


def _wecom(method: str, path: str, logic: Logic, kind: str | None = "wecom") -> Route:
    return Route(method, path, logic, kind, "wecom")


ROUTES = (
    _oa("POST", "/cgi-bin/stable_token", oa.stable_token, kind=None),
    _oa("GET", "/cgi-bin/token", oa.legacy_token, kind=None),
    _oa("POST", "/cgi-bin/message/custom/send", oa.custom_send),
    _oa("POST", "/cgi-bin/message/template/send", oa.template_send),
    _oa("GET", "/cgi-bin/user/info", oa.user_info),
    _oa("POST", "/cgi-bin/menu/create", menu.menu_create),
    _oa("GET", "/cgi-bin/menu/get", menu.menu_get),
    _oa("GET", "/cgi-bin/get_current_selfmenu_info", menu.selfmenu_info),
    _oa("GET", "/cgi-bin/menu/delete", menu.menu_delete),
    _oa("POST", "/cgi-bin/media/upload", media.media_upload, kind="any"),  # both APIs
    _wecom("GET", "/cgi-bin/gettoken", wecom.gettoken, kind=None),
    _wecom("POST", "/cgi-bin/message/send", wecom.wecom_send),
    _wecom("POST", f"{EC}/send_welcome_msg", wecom.send_welcome_msg),
    _wecom("GET", f"{EC}/get", externalcontact.externalcontact_get),
    _wecom("POST", f"{EC}/add_msg_template", externalcontact.add_msg_template),
    _wecom("POST", f"{EC}/get_groupmsg_send_result", externalcontact.get_groupmsg_send_result),
    _wecom("POST", robot.PATH, robot.webhook_send, kind=None),  # group robot: key, no token
)
_METHODS = {route.path: route.method for route in ROUTES}


def _unknown_errcode(path: str) -> int:
    method = _METHODS.get(path)
    if method is None:
        return 40066
    return 43001 if method == "GET" else 43002


async def unknown_path(request: web.Request) -> web.Response:
    if request.path.startswith("/_fake/"):
        return json_response({"error": f"no control endpoint {request.path}"}, 404)
    fake = request.app[FAKE_KEY]
    req = await read_request(request)
    return answer(fake, req, fake.error_payload("oa", FakeFailure(_unknown_errcode(req.path))))


def create_fake_app(state: FakeWeChat | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD)
    app[FAKE_KEY] = state or FakeWeChat()
    app[API_PATHS] = frozenset(_METHODS)
    for route in ROUTES:
        app.router.add_route(route.method, route.path, endpoint(route))
    add_control_routes(app)
    app.router.add_route("*", "/{tail:.*}", unknown_path)
    return app


def fake_state(app: web.Application) -> FakeWeChat:
    return app[FAKE_KEY]
