"""Labels for computed values, so that admin listings and exports head their columns in words."""


def labelled(text):
    """Give a property's function the column heading ``text`` (admin listings read it).

    Use under ``@property``; without it a listing heads the column with the function's
    name in English ("Masked id number").
    """

    def decorate(function):
        function.short_description = text
        return function

    return decorate
