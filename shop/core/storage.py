"""Uploads in S3-compatible object storage (AWS S3, MinIO, Ceph, ...), the same interface as
core.images.LocalStorage plus `url()`: a public address or a signed, expiring one."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from shop.core.images import KEY_RE, NAME_RE

MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Stored names are random and never rewritten, so browsers and CDNs may keep them a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
SIGNED_CACHE_SIZE = 50_000


def s3_client(
    endpoint_url: str | None,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
):
    """A boto3 S3 client; path-style addressing when a custom endpoint is given."""
    # Imported here, not at the top: boto3 costs every process half a second to import, and
    # only installations that store photos in a bucket need it.
    import boto3
    from botocore.config import Config as BotoConfig

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=BotoConfig(
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    )


class S3Storage:
    """Files under one prefix of a bucket; only names matching NAME_RE are ever touched."""

    def __init__(
        self,
        client,
        bucket: str,
        prefix: str = "",
        public_url: str | None = None,
        expires: int = 86400,
    ) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.public_url = public_url.rstrip("/") if public_url else None
        self.expires = expires
        # Signed links are reused for half their life, so a page keeps the same photo
        # address (and the browser its cached copy) instead of a new signature per view.
        self._signed: dict[str, tuple[str, float]] = {}

    def key(self, name: str) -> str:
        """Object key of a valid stored name."""
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise ValueError(f"invalid stored file name: {name!r}")
        return self.prefix + name

    def save(self, name: str, data: bytes) -> None:
        """Upload one file (an S3 PUT is atomic: a half-written object is never served)."""
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.key(name),
            Body=data,
            ContentType=MIMETYPES.get(name.rpartition(".")[2], "application/octet-stream"),
            CacheControl=CACHE_CONTROL,
        )

    def open(self, name: str) -> bytes:
        """Read a stored file (FileNotFoundError if absent)."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"].read()
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(name) from None
            raise

    def exists(self, name: str) -> bool:
        """True when a valid name is stored."""
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True

    def delete(self, name: str) -> None:
        """Remove a stored file if present."""
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def names_for(self, key: str, ext: str) -> list[str]:
        """Stored names of every variant of one image key."""
        if not KEY_RE.fullmatch(key) or ext not in MIMETYPES:
            return []
        own = re.compile(re.escape(key) + r"-[a-z0-9]{1,8}\." + ext)
        names = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}{key}-"
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if own.fullmatch(name):
                    names.append(name)
        return sorted(names)

    def url(self, name: str) -> str:
        """Where a browser fetches the file: public, or signed for `expires` seconds."""
        key = self.key(name)
        if self.public_url:
            return f"{self.public_url}/{key}"
        now = time.time()
        cached = self._signed.get(name)
        if cached and now - cached[1] < self.expires / 2:
            return cached[0]
        signed = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.expires
        )
        if len(self._signed) > SIGNED_CACHE_SIZE:
            self._signed.clear()
        self._signed[name] = (signed, now)
        return signed


def photo_origins(config) -> list[str]:
    """Origins pages load photos from when they are in object storage (for the CSP)."""
    bucket = config.get("S3_BUCKET")
    if not bucket:
        return []
    base = config.get("S3_PUBLIC_URL") or config.get("S3_ENDPOINT_URL")
    if base:
        parts = urlsplit(base)
        return [f"{parts.scheme}://{parts.netloc}"]
    region = config.get("S3_REGION") or "us-east-1"
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]
