"""We Belong Here — coalition mapper.

Model an immigrant-welcoming coalition (organizations, neighborhoods, communities, cultural
navigators, welcoming committees and their ties) as a graph, and answer three questions with
evidence: where are the coalition's gaps, where do welcoming committees reach, and where next.
"""

import logging

__version__ = "0.1.0"

# A library stays silent unless the application configures logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())
