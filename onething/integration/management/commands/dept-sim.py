"""`onething dept-sim --port P --secret S --signing-key K`: the reference department system.

`--config FILE --system CODE` takes the port, keys, delay, decision and licence templates from a
dept-sim file instead (what `onething setup` writes for the demo and `onething run` starts)."""

from django.core.management.base import BaseCommand, CommandError

from onething.integration import deptsim


class Command(BaseCommand):
    help = "运行参考部门业务系统（接收推送、验签、延时办理并回调）"
    requires_system_checks = []  # it is not onething: no database, no models to check

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int)
        parser.add_argument("--secret", help="签名回调所用密钥（平台据此验签）")
        parser.add_argument("--signing-key", help="平台签名推送所用密钥（本系统据此验签）")
        parser.add_argument("--config", help="参考部门系统配置文件（JSON，演示数据加载时生成）")
        parser.add_argument("--system", help="配合 --config：本进程扮演的系统编码")
        parser.add_argument("--source", default="", help="CloudEvents source（默认为本系统地址）")
        parser.add_argument(
            "--onething", default="", help="平台地址；给出时替换回调与材料链接的源站"
        )
        parser.add_argument("--delay", type=float, help="收到推送后多久办结（秒，默认 0.2）")
        parser.add_argument(
            "--decide",
            choices=["approve", "refuse", "supplement", "withdraw"],
            help="办理结果（默认 approve）",
        )

    def handle(self, *args, **o):
        entry = self._entry(o)
        port = o["port"] or entry.get("port")
        secret, key = (
            o["secret"] or entry.get("secret"),
            o["signing_key"] or entry.get("signing_key"),
        )
        if not (port and secret and key):
            raise CommandError("请给出 --port、--secret、--signing-key，或 --config 与 --system")
        source = o["source"] or f"http://{o['host']}:{port}"
        sim = deptsim.Sim(secret=secret, signing_key=key, source=source, onething=o["onething"])
        sim.control.update(
            delay=o["delay"] if o["delay"] is not None else entry.get("delay", 0.2),
            decide=o["decide"] or entry.get("decide", "approve"),
            result=entry.get("result", {}),
        )
        server = deptsim.serve(host=o["host"], port=port, sim=sim)
        self.stdout.write(f"dept-sim listening on http://{o['host']}:{port}", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _entry(self, o) -> dict:
        if not o["config"]:
            return {}
        try:
            return deptsim.from_config(o["config"], o["system"] or "")
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 --config：{exc}") from exc
        except KeyError:
            raise CommandError(f"--config 中没有系统“{o['system']}”") from None
