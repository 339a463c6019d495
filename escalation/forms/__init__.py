"""The forms that check what people give: the pages and the API share them, so both doors
refuse the same input with the same words."""
