"""The site's languages: data, conversion to Taiwan wording, checks, search dictionary."""
