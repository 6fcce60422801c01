"""What sells together: frequent itemsets, association rules and their descriptions.

``itemsets`` builds the basket matrix and counts frequent itemsets (exactly, on sparse
matrices); ``rules`` derives association rules; ``insights`` puts them in words and
answers "bought together with …" questions.

Imports :mod:`recsys.data`.
"""
