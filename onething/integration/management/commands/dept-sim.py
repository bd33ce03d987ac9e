"""`onething dept-sim --port P --secret S --signing-key K`: the reference department system."""

from django.core.management.base import BaseCommand

from onething.integration import deptsim


class Command(BaseCommand):
    help = "运行参考部门业务系统（接收推送、验签、延时办理并回调）"
    requires_system_checks = []  # it is not onething: no database, no models to check

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--secret", required=True, help="签名回调所用密钥（平台据此验签）")
        parser.add_argument(
            "--signing-key", required=True, help="平台签名推送所用密钥（本系统据此验签）"
        )
        parser.add_argument("--source", default="", help="CloudEvents source（默认为本系统地址）")
        parser.add_argument(
            "--onething", default="", help="平台地址；给出时替换回调与材料链接的源站"
        )
        parser.add_argument("--delay", type=float, default=0.2, help="收到推送后多久办结（秒）")
        parser.add_argument(
            "--decide", default="approve", choices=["approve", "refuse", "supplement", "withdraw"]
        )

    def handle(self, *args, **o):
        source = o["source"] or f"http://{o['host']}:{o['port']}"
        sim = deptsim.Sim(
            secret=o["secret"], signing_key=o["signing_key"], source=source, onething=o["onething"]
        )
        sim.control.update(delay=o["delay"], decide=o["decide"])
        server = deptsim.serve(host=o["host"], port=o["port"], sim=sim)
        self.stdout.write(f"dept-sim listening on http://{o['host']}:{o['port']}", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
