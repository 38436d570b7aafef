from regions import terminology


def terms(request):
    return {"terms": terminology.current()}
