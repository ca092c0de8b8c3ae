"""English stopwords for questions and news prose.

Besides the usual function words this list has what fans put around a
question in chat ("hey", "anyone", "know", "please", "tell me") so that
those words neither match passages nor count against a question's coverage.
"""

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each else ever few for from further get gets got had hadn't has hasn't have haven't having
    he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into
    is isn't it it's its itself just let's like ll me might more most mustn't my myself no nor not now of off
    on once only or other ought our ours ourselves out over own re s same shan't she she'd she'll she's should
    shouldn't so some such t than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up us very was wasn't we we'd we'll
    we're we've were weren't what what's when when's where where's which while who who's whom whose why
    why's will with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
    d m o ve y ain
    anyone anybody someone somebody anything something know knows knew please pls plz hey hi hello guys
    folks tell told say says said wonder wondering curious question questions answer yet
    already still really actually even much many going gonna wanna want let lets thanks thank
    whats wheres whos hows whens isnt doesnt dont cant wont arent
    """.split()
)
