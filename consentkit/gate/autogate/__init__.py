"""The auto-gate: tracker tags in any HTML response are held back until their category is granted."""

from .body import BodyRewriter as BodyRewriter
from .policy import Policy as Policy
from .policy import TrackerIndex as TrackerIndex
from .response import AutoGate as AutoGate
from .rewriter import HtmlRewriter as HtmlRewriter
