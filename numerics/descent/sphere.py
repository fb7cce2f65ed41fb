r"""The product of unit spheres that the embedding optimiser works on (geoopt-like).

A point is a tensor ``X`` of shape ``(..., n, d)`` whose every row is a unit
vector: :math:`X \in (S^{d-1})^n`.  The optimiser sees only this interface:

* :meth:`Sphere.project` maps any nonzero rows onto the sphere, :math:`x \mapsto x/\|x\|`;
* :meth:`Sphere.proju` projects an ambient vector onto the tangent space,
  :math:`u \mapsto u - (x\cdot u)\,x` row by row (this turns a Euclidean gradient into
  the Riemannian one);
* :meth:`Sphere.retr` is the projection retraction :math:`R_x(u) = (x+u)/\|x+u\|`
  (:meth:`Sphere.retr_step`: the same for :math:`a\,u` with a step length per point);
* :meth:`Sphere.transp` is vector transport by projection onto the new tangent space;
* :meth:`Sphere.inner` is the Euclidean (induced) metric, summed over the point's rows;
* :meth:`Sphere.random` draws rows uniformly on the sphere from a seeded generator.

Norms and inner products reduce over the last two dimensions (rows and
coordinates), so a leading batch shape is kept: one value per configuration.

>>> import torch
>>> S = Sphere()
>>> x = S.project(torch.tensor([[3.0, 4.0]], dtype=torch.float64))
>>> x
tensor([[0.6000, 0.8000]], dtype=torch.float64)
>>> float(S.inner(x, S.proju(x, torch.tensor([[1.0, 0.0]], dtype=torch.float64)), x))
0.0
"""

from __future__ import annotations

import torch

__all__ = ["Sphere", "NORM_FLOOR"]

#: Smallest row norm divided by in :meth:`Sphere.project` (keeps a zero row finite).
NORM_FLOOR = {torch.float64: 1e-300, torch.float32: 1e-30}


class Sphere:
    r"""Rows on the unit sphere :math:`S^{d-1}`; a point has shape ``(..., n, d)``.

    Parameters
    ----------
    reduce_dims : int
        How many trailing dimensions :meth:`inner` and :meth:`norm` sum over (default 2:
        the rows and the coordinates of one configuration).
    """

    def __init__(self, reduce_dims: int = 2):
        self.reduce_dims = reduce_dims

    def _dims(self):
        return tuple(range(-self.reduce_dims, 0))

    def project(self, x: torch.Tensor) -> torch.Tensor:
        r"""Rows scaled to unit length, :math:`x/\max(\|x\|, \epsilon)`.

        >>> import torch
        >>> Sphere().project(torch.tensor([[0.0, 2.0]], dtype=torch.float64))
        tensor([[0., 1.]], dtype=torch.float64)
        """
        norm = torch.linalg.vector_norm(x, dim=-1, keepdim=True)
        return x / norm.clamp_min(NORM_FLOOR.get(x.dtype, 1e-30))

    def proju(self, x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        r"""Tangent projection :math:`u - (x\cdot u)\,x`, row by row.

        >>> import torch
        >>> x = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
        >>> Sphere().proju(x, torch.tensor([[2.0, 3.0]], dtype=torch.float64))
        tensor([[0., 3.]], dtype=torch.float64)
        """
        return torch.addcmul(u, torch.linalg.vecdot(x, u).unsqueeze(-1), x, value=-1)

    egrad2rgrad = proju

    def retr(self, x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        r"""Projection retraction :math:`R_x(u) = (x + u)/\|x + u\|`.

        >>> import torch
        >>> x = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
        >>> Sphere().retr(x, torch.tensor([[0.0, 1.0]], dtype=torch.float64))
        tensor([[0.7071, 0.7071]], dtype=torch.float64)
        """
        return self.project(x + u)

    def retr_step(self, x: torch.Tensor, step: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        r""":math:`R_x(a\,u)` with one step length ``a`` per point (shape ``x.shape[:-2]``),
        in one fused pass: :math:`(x + a u)/\|x + a u\|`.

        >>> import torch
        >>> x = torch.tensor([[[1.0, 0.0]]], dtype=torch.float64)
        >>> Sphere().retr_step(x, torch.tensor([2.0], dtype=torch.float64), x.flip(-1))
        tensor([[[0.4472, 0.8944]]], dtype=torch.float64)
        """
        z = torch.addcmul(x, step.reshape(step.shape + (1,) * (x.dim() - step.dim())), u)
        norm = torch.linalg.vector_norm(z, dim=-1, keepdim=True)
        return z.div_(norm.clamp_min_(NORM_FLOOR.get(z.dtype, 1e-30)))

    def transp(self, y: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        r"""Vector transport to the tangent space at ``y`` by projection, :math:`P_y v`.

        >>> import torch
        >>> y = torch.tensor([[0.0, 1.0]], dtype=torch.float64)
        >>> Sphere().transp(y, torch.tensor([[1.0, 1.0]], dtype=torch.float64))
        tensor([[1., 0.]], dtype=torch.float64)
        """
        return self.proju(y, v)

    def inner(self, x: torch.Tensor, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        r"""Induced metric :math:`\langle u, v\rangle = \sum_{k} u_k\cdot v_k`, one value per point.

        >>> import torch
        >>> x = torch.eye(2, dtype=torch.float64)
        >>> float(Sphere().inner(x, x, 2 * x))
        4.0
        """
        return (u * v).sum(dim=self._dims())

    def norm(self, x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        r""":math:`\|u\|_x = \sqrt{\langle u, u\rangle}`, one value per point.

        >>> import torch
        >>> float(Sphere().norm(None, torch.full((1, 4), 0.5, dtype=torch.float64)))
        1.0
        """
        return torch.linalg.vector_norm(u, dim=self._dims())

    def max_row_norm(self, u: torch.Tensor) -> torch.Tensor:
        r"""Largest row norm of a tangent vector, one value per point: :math:`\max_k \|u_k\|`.

        The projection retraction follows the geodesic only for displacements well below
        :math:`\pi/2` per row, so an optimiser caps its steps with this.

        >>> import torch
        >>> float(Sphere().max_row_norm(torch.tensor([[3.0, 4.0], [0.0, 1.0]], dtype=torch.float64)))
        5.0
        """
        rows = torch.linalg.vector_norm(u, dim=-1)
        return rows.amax(dim=tuple(range(-(self.reduce_dims - 1), 0))) if self.reduce_dims > 1 else rows

    def random(self, *shape: int, generator: torch.Generator | None = None,
               dtype: torch.dtype = torch.float64, device="cpu") -> torch.Tensor:
        r"""Rows uniform on the sphere: normalised standard Gaussian vectors.

        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> x = Sphere().random(4, 3, generator=g)
        >>> torch.allclose(x.norm(dim=-1), torch.ones(4, dtype=torch.float64))
        True
        """
        z = torch.randn(*shape, generator=generator, dtype=dtype, device=device)
        return self.project(z)

    def check_point(self, x: torch.Tensor, atol: float) -> bool:
        """Whether every row of ``x`` has unit norm to within ``atol``."""
        return bool(((x.norm(dim=-1) - 1).abs() <= atol).all())

    def __repr__(self):
        return "Sphere()"
